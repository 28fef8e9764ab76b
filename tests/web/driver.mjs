// Drives headless Chromium (Debian's /usr/bin/chromium) with playwright-core for the
// pytest browser tests: one JSON request per stdin line, one JSON answer per stdout line.
// The tests (tests/web/browser.py) say what to do step by step, so a browser user and a
// Python SDK user can take turns. Requests:
//   {"id", "op": "open", "name", "webtransport": bool}      a new context with one page
//   {"id", "op": "page", "name", "method", "args"}           page[method](...args)
//   {"id", "op": "locator", "name", "selector", "hasText"?, "method", "args"}
//   {"id", "op": "delay", "name", "path", "ms", "times"}     the answers to the next `times`
//                                                            GETs of `path` arrive `ms` late
//   {"id", "op": "close"}
// Answers: {"id", "ok": true, "value"} or {"id", "ok": false, "error"}.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(new URL("../../clients/web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const browser = await chromium.launch({
  executablePath: process.env.PRIM_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox"],
});
const pages = new Map();

async function handle(request) {
  switch (request.op) {
    case "open": {
      const context = await browser.newContext({ viewport: { width: 1200, height: 780 } });
      if (request.webtransport === false) {
        // As in a browser without WebTransport: the SDK must fall back to WebSocket.
        await context.addInitScript(() => { delete globalThis.WebTransport; });
      }
      const page = await context.newPage();
      page.on("console", (msg) => process.stderr.write(`[${request.name}] ${msg.type()}: ${msg.text()}\n`));
      page.on("pageerror", (err) => process.stderr.write(`[${request.name}] pageerror: ${err.message}\n`));
      pages.set(request.name, page);
      return null;
    }
    case "page": {
      const page = pages.get(request.name);
      const value = await page[request.method](...(request.args ?? []));
      return plain(value);
    }
    case "locator": {
      const page = pages.get(request.name);
      let locator = page.locator(request.selector, request.hasText ? { hasText: request.hasText } : {});
      if (request.first) locator = locator.first();
      return plain(await locator[request.method](...(request.args ?? [])));
    }
    case "delay": {
      const page = pages.get(request.name);
      let left = request.times;
      await page.route((url) => url.pathname === request.path, async (route) => {
        if (route.request().method() !== "GET" || left <= 0) return route.continue();
        left -= 1;
        const response = await route.fetch();  // answered now, handed over `ms` later
        await new Promise((resolve) => setTimeout(resolve, request.ms));
        await route.fulfill({ response });
      });
      return null;
    }
    case "close":
      await browser.close();
      return null;
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

/** What JSON can carry of a return value (Buffers of screenshots are not sent back). */
function plain(value) {
  if (value === undefined || value === null || Buffer.isBuffer(value)) return null;
  if (typeof value === "object" && typeof value.url === "function") return null;  // a Response
  return value;
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  let answer;
  try {
    answer = { id: request.id, ok: true, value: await handle(request) };
  } catch (err) {
    answer = { id: request.id, ok: false, error: String(err?.message ?? err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
  if (request.op === "close") break;
}
process.exit(0);
