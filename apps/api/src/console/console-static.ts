import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import compression from 'compression';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where the build puts the console's static files: dist/console beside the project's package.json. */
export const CONSOLE_DIR = join(projectRoot(__dirname), 'dist', 'console');
export const CONSOLE_PATH = '/console';

/**
 * The console's Content-Security-Policy: scripts, styles, fonts and calls from the broker itself
 * and nothing else; images also as data: URLs (the authenticator QR code).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleHeaders(response: Pick<Response, 'setHeader'>, path: string): void {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  // Bundles carry their content hash in their names; the page itself is always asked for again.
  response.setHeader(
    'Cache-Control',
    /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-store',
  );
}

/**
 * Serves the console under /console: its files as built, and its page for every other path under
 * /console (the console routes in the browser). Without a build, /console says how to make one.
 */
export function serveConsole(app: NestExpressApplication, directory = CONSOLE_DIR): void {
  const page = join(directory, 'index.html');
  const built = existsSync(page);
  // Scripts and styles go compressed to browsers that ask for it (about a third of their size).
  app.use(CONSOLE_PATH, compression());
  if (built)
    app.useStaticAssets(directory, {
      prefix: `${CONSOLE_PATH}/`,
      index: false,
      redirect: false,
      setHeaders: consoleHeaders,
    });
  app.use(CONSOLE_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (/\.[a-z0-9]+$/i.test(request.path) && request.path !== '/') {
      // A missing file is a 404, not the page: a stale bundle name must fail loudly.
      response.status(404).type('text/plain').send('no such console file\n');
      return;
    }
    if (!built) {
      response.status(503).type('text/plain').send('the console is not built: npm run build\n');
      return;
    }
    consoleHeaders(response, page);
    response.sendFile(page);
  });
}

/** The nearest directory above `from` holding package.json (the project, built or not). */
export function projectRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) return from;
  }
}
