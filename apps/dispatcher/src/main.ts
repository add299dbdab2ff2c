import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig, runProcess } from '@tlp-broker/config';
import { createDispatcher } from './bootstrap';

runProcess('dispatcher', async () => {
  await createDispatcher(loadConfig());
  new Logger('dispatcher').log('dispatcher running');
});
