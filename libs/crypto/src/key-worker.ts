/**
 * A worker thread of the key pool (KeyPool): reads recipients' keys and addresses session keys to
 * them off the main thread. Loaded from the compiled dist/libs/crypto/src/key-worker.js.
 */
import { KeyTask, KeyTaskResult, ParsedKeys, runKeyTask } from './key-work';

const keys = new ParsedKeys();

export default function keyWork(task: KeyTask): Promise<KeyTaskResult> {
  return runKeyTask(keys, task);
}
