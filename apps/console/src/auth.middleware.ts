import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ConsoleService, authenticate } from '@penumbra/console';

/** Inputs from Kafka and Redis are untrusted: pages load only this origin's script and style, and are framed by no one. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
}

/** Every page and API call needs a bearer token or basic auth from CONSOLE_USERS_FILE; anything else is a 401. */
@Injectable()
export class AuthMiddleware implements NestMiddleware {
  constructor(@Inject(ConsoleService) private readonly console: ConsoleService) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    securityHeaders(res);
    const user = authenticate(this.console.users, req.headers.authorization);
    if (user === undefined) {
      res.setHeader('WWW-Authenticate', 'Basic realm="penumbra console", charset="UTF-8"');
      res.statusCode = 401;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('log in: a bearer token or basic auth from the console users file');
      return;
    }
    next();
  }
}
