import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig, runProcess } from '@tlp-broker/config';
import { createApiApp } from './bootstrap';

runProcess('api', async () => {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('api').log(`listening on ${await app.getUrl()} (OpenAPI documentation at /docs)`);
});
