"""TLS front for the Deepgram test double (Benchmarks/rss): accepts TLS on 127.0.0.1 and relays the
bytes to a plain TCP port, so captty's wss:// path (OpenSSL) is measured as a cloud session would
run it. Usage: tls_front.py CERT KEY TARGET_PORT; prints `PORT n`; stops when stdin closes."""
import asyncio, ssl, sys

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()

async def main():
    cert, key, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    async def handle(r, w):
        tr, tw = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(r, tw), pipe(tr, w))

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin

asyncio.run(main())
