import { HttpResult, request, RequestOptions } from '@tlp-broker/harness';

export { eventually } from '@tlp-broker/harness';
export type { HttpResult };

/** The harness's client, reading answers loosely as tests do: JSON in, status and JSON (or text) out. */
export function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  return request<T>(base, method, path, options);
}
