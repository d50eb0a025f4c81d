"""Tornado hello server for run-http.sh: one process, one IOLoop, /plaintext and /json.

    taskset -c 0 /usr/bin/python3 benchmarks/tornado_hello.py PORT [ADDRESS]

Tornado's defaults are kept (it adds Server and, for GET, Etag, as Squall's Application does).
The JSON body is the same hand-written string as the Java servers' (no json module).
"""
import asyncio
import sys

import tornado.web

MESSAGE = "Hello, World!"


def json_body(message):
    out = ['{"message":"']
    for c in message:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"}')
    return "".join(out)


class PlainHandler(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain")
        self.write(MESSAGE)


class JsonHandler(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.write(json_body(MESSAGE))


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    address = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    app = tornado.web.Application([(r"/plaintext", PlainHandler), (r"/json", JsonHandler)])
    app.listen(port, address)
    print("tornado listening on %s:%d" % (address, port), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
