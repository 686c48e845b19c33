// A plain TCP forwarder in front of a relay, whose connections can be cut the way a network going down cuts
// them: the browser sees its sockets (TLS and all) reset, the relay sees them end. Chromium's offline emulation
// (BrowserContext.setOffline) stops new connections but leaves an open WebSocket alone, so a test that wants a
// page's socket to really drop goes through one of these.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export class TcpLink {
  readonly #pairs = new Set<[Socket, Socket]>();
  readonly #server = createServer((inbound) => this.#forward(inbound));
  #port = 0;

  private constructor(private readonly targetPort: number) {}

  /** Forward 127.0.0.1:<a new port> to 127.0.0.1:`targetPort`. */
  static async open(targetPort: number): Promise<TcpLink> {
    const link = new TcpLink(targetPort);
    await new Promise<void>((resolve) => link.#server.listen(0, '127.0.0.1', resolve));
    link.#port = (link.#server.address() as AddressInfo).port;
    return link;
  }

  /** `url` (a relay URL) with its port replaced by this link's. */
  via(url: string): string {
    const u = new URL(url);
    u.port = String(this.#port);
    return u.toString();
  }

  /** How many connections go through now. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** Reset every connection going through now, both ways (new ones are forwarded as before). */
  cut(): void {
    for (const [inbound, outbound] of [...this.#pairs]) {
      inbound.resetAndDestroy();
      outbound.resetAndDestroy();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(inbound: Socket): void {
    const outbound = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    this.#pairs.add(pair);
    const end = (): void => {
      this.#pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of pair) s.on('error', end).on('close', end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}
