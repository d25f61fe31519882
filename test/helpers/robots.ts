import { createServer, type IncomingHttpHeaders } from 'node:http';

/** A request a test robot received. */
export interface RobotRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent, and parsed as JSON (undefined when it is not JSON). */
  readonly raw: string;
  readonly body: unknown;
  readonly atMs: number;
}

/** How a robot answers one request: a status and JSON body, or no answer at all. */
export type RobotReply = { readonly status?: number; readonly json?: unknown } | 'hang';

/** A real HTTP server on a free port of 127.0.0.1 standing in for a WeCom or DingTalk group robot or a webhook. */
export interface TestRobot {
  /** `http://127.0.0.1:PORT` + path, e.g. `/cgi-bin/webhook/send?key=…`. */
  url(pathAndQuery: string): string;
  /** Requests received so far, in order (hanging ones included). */
  readonly requests: RobotRequest[];
  close(): Promise<void>;
}

/** Starts a robot that answers each request as `reply` says (given the request and how many came before it). */
export async function startRobot(reply: (request: RobotRequest, index: number) => RobotReply): Promise<TestRobot> {
  const requests: RobotRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://robot');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const request = {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        raw,
        body,
        atMs: Date.now(),
      };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      if (answer === 'hang') return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.json ?? { errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: (pathAndQuery) => `http://127.0.0.1:${port}${pathAndQuery}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
