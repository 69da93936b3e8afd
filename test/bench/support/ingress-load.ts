/**
 * Load generator for the ingress benchmark, run as a child process so autocannon's own CPU use (HTTP parsing,
 * histogram) does not compete with the server on the same event loop; on 2 cores that is the honest setup.
 * Input: one JSON message on stdin {url, bodiesFile, connections, durationS}; bodies file = JSON lines
 * {body, signature}. Output: progress lines on stderr, one JSON result line on stdout.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface Job {
  url: string;
  path: string;
  bodiesFile: string;
  connections: number;
  durationS: number;
  label: string;
}

const job = JSON.parse(readFileSync(0, 'utf8')) as Job;
const bodies = readFileSync(job.bodiesFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { body: string; signature: string });
let next = 0;
let wrapped = false;

const instance = autocannon(
  {
    url: job.url,
    connections: job.connections,
    duration: job.durationS,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path: job.path,
        setupRequest: (request: Record<string, unknown>) => {
          const item = bodies[next]!;
          next++;
          if (next >= bodies.length) {
            next = 0;
            wrapped = true;
          }
          return {
            ...request,
            body: item.body,
            headers: { 'content-type': 'application/json', 'fluent-signature': item.signature },
          };
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.stdout.write(
      `${JSON.stringify({
        requestsPerSec: result.requests.average,
        total: result.requests.total,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        p999: result.latency.p99_9,
        max: result.latency.max,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        wrapped,
      })}\n`,
    );
  },
);

let second = 0;
let count = 0;
instance.on('response', () => {
  count++;
});
const ticker = setInterval(() => {
  second++;
  process.stderr.write(`\r  ${job.label}: ${second}/${job.durationS}s ${count.toLocaleString('en')} responses   `);
}, 1_000);
instance.on('done', () => {
  clearInterval(ticker);
  process.stderr.write('\n');
});
