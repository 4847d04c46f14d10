import { type ServerResponse } from 'node:http';
import { Controller, Get, Res } from '@nestjs/common';
import { CONSOLE_CSS, SHELL_HTML, browserScript } from '@penumbra/console';

/** The pages: one HTML shell holding no data, its script and stylesheet; the script fills the page from /api. */
@Controller()
export class PageController {
  private script: string | undefined;

  private send(res: ServerResponse, type: string, body: string): void {
    res.statusCode = 200;
    res.setHeader('Content-Type', `${type}; charset=utf-8`);
    res.end(body);
  }

  @Get(['', 'experiments/:id'])
  page(@Res() res: ServerResponse): void {
    this.send(res, 'text/html', SHELL_HTML);
  }

  @Get('assets/console.js')
  js(@Res() res: ServerResponse): void {
    this.script ??= browserScript();
    this.send(res, 'text/javascript', this.script);
  }

  @Get('favicon.ico')
  favicon(@Res() res: ServerResponse): void {
    res.statusCode = 204;
    res.end();
  }

  @Get('assets/console.css')
  css(@Res() res: ServerResponse): void {
    this.send(res, 'text/css', CONSOLE_CSS);
  }
}
