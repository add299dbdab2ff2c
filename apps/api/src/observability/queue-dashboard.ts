import { Injectable, Logger } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AdminSessions } from './admin-sessions';
import { WatchedQueues } from './watched-queues';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The dashboard's pages and calls come from the broker itself; its styles may be inline (its
 * loading screen and components use them). Its web fonts are on another site and are not loaded:
 * an administrator's browser asks nobody else for anything.
 */
export const QUEUE_DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  // The page names its own directory in <base href>.
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the dashboard may be asked: reading only. Its actions (retry, clean, pause…) are refused before it sees them. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

function refuse(response: Response, status: 401 | 403 | 405 | 503, message: string): void {
  const error = { 401: 'Unauthorized', 403: 'Forbidden', 405: 'Method Not Allowed', 503: 'Service Unavailable' }[
    status
  ];
  response.status(status).json({ statusCode: status, error, message });
}

/**
 * bull-board on the routing, delivery and submission-messages queues, read-only, for
 * administrators signed in to the console: 401 without a session, 403 for anyone else, before
 * bull-board (its pages, static files and API under QUEUE_DASHBOARD_PATH) sees the request. Job
 * data holds ids only, never content. Retrying a dead delivery stays the console's (Operations,
 * Dead letters): it checks the sharing rules again first.
 */
@Injectable()
export class QueueDashboard {
  private readonly logger = new Logger(QueueDashboard.name);

  constructor(
    private readonly queues: WatchedQueues,
    private readonly admins: AdminSessions,
  ) {}

  /** The handlers to mount at QUEUE_DASHBOARD_PATH, in order. */
  handlers(): RequestHandler[] {
    const board = new ExpressAdapter();
    board.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.all.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'tlp-broker queues' } },
    });
    return [this.adminsOnly, board.getRouter() as RequestHandler];
  }

  private readonly adminsOnly = (request: Request, response: Response, next: NextFunction): void => {
    this.admins.verdict(request.headers.cookie).then(
      (verdict) => {
        if (verdict === 'signed-out')
          return refuse(response, 401, 'sign in to the console as an administrator to see the queues');
        if (verdict === 'not-admin') return refuse(response, 403, 'the queue dashboard is for administrators');
        if (!READ_METHODS.has(request.method)) return refuse(response, 405, 'the queue dashboard is read-only');
        response.setHeader('Content-Security-Policy', QUEUE_DASHBOARD_CSP);
        response.setHeader('X-Content-Type-Options', 'nosniff');
        response.setHeader('X-Frame-Options', 'DENY');
        response.setHeader('Referrer-Policy', 'no-referrer');
        response.setHeader('Cache-Control', 'no-store');
        next();
      },
      (error: unknown) => {
        this.logger.error(`queue dashboard: ${error instanceof Error ? error.message : String(error)}`);
        refuse(response, 503, 'console sessions cannot be checked now: try again shortly');
      },
    );
  };
}
