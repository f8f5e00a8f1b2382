/**
 * An HTTP agent that carries Docker API requests to an ssh:// host over one shared SSH connection,
 * one `docker system dial-stdio` channel per request. docker-modem's own ssh support opens a new SSH
 * connection for every request; a resume that polls a dozen containers at once then opens dozens, and
 * one failed channel crashes it (it reads the stream of a failed exec). Here the channels are capped
 * below sshd's default MaxSessions (10), further requests wait their turn, and the connection closes
 * itself once idle so that a finished command can exit. A channel sshd refuses anyway (on a loaded
 * host it may close the sessions it counts later than we see them go) is asked for again.
 */
import { Agent } from "node:http";
import type { Duplex } from "node:stream";
import { Client, type ConnectConfig } from "ssh2";

/** sshd allows 10 sessions per connection by default (MaxSessions). */
const MAX_CHANNELS = 8;
const IDLE_CLOSE_MS = 1_000;
/** How long a channel keeps its slot after HTTP let go of it, at most, waiting for sshd's CLOSE. */
const SERVER_CLOSE_WAIT_MS = 10_000;
/** A refused channel open is tried this many times in all, 100 ms later the first time, twice as long each next time (about 25 s). */
const CHANNEL_OPEN_ATTEMPTS = 9;
const CHANNEL_RETRY_FIRST_MS = 100;

/** sshd's refusal of a new channel (MaxSessions reached, for one): nothing ran, so it may be asked again. */
function isChannelRefused(error: Error): boolean {
    return error.message.startsWith("(SSH) Channel open failure");
}

/**
 * Resolves once the server has closed the channel too: the stream's own close comes as soon as HTTP
 * drops it, while sshd counts the session until its CLOSE (ssh2 marks `incoming` closed then).
 */
async function serverClosed(channel: Duplex): Promise<void> {
    const incoming = (channel as Duplex & { incoming?: { state?: string } }).incoming;
    for (let waited = 0; incoming?.state !== "closed" && waited < SERVER_CLOSE_WAIT_MS; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
}

export function sshHttpAgent(config: ConnectConfig): Agent {
    let client: Client | undefined;
    let ready: Promise<Client> | undefined;
    let open = 0;
    let idleTimer: NodeJS.Timeout | undefined;

    const connection = (): Promise<Client> => {
        if (ready) return ready;
        const fresh = new Client();
        client = fresh;
        ready = new Promise<Client>((resolve, reject) => {
            fresh.once("ready", () => resolve(fresh));
            // Every error, not just the first: a connection lost later must not throw out of the process.
            fresh.on("error", (error) => {
                forget(fresh);
                reject(error);
            });
        });
        fresh.once("close", () => forget(fresh));
        fresh.connect(config);
        return ready;
    };
    const forget = (stale: Client) => {
        if (client !== stale) return;
        client = undefined;
        ready = undefined;
    };
    const closeWhenIdle = () => {
        if (open > 0 || client === undefined) return;
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
            if (open === 0) client?.end();
        }, IDLE_CLOSE_MS);
        idleTimer.unref();
    };

    // A channel counts until sshd has closed it, not when HTTP lets go of it: the cap is on open channels.
    const waiting: Array<() => void> = [];
    const slot = (): Promise<void> => {
        clearTimeout(idleTimer);
        if (open < MAX_CHANNELS) {
            open += 1;
            return Promise.resolve();
        }
        return new Promise((resolve) => waiting.push(resolve));
    };
    const release = () => {
        const next = waiting.shift();
        if (next) next(); // the slot passes on: open stays the same
        else {
            open -= 1;
            closeWhenIdle();
        }
    };

    const agent = new Agent({ keepAlive: false });
    // Node's Agent calls createConnection(options, callback) for each socket it needs.
    /** Opens one dial-stdio channel in the slot already taken; the slot goes back on failure. */
    const openChannel = (attempt: number, callback: (error: Error | null, socket?: Duplex) => void): void => {
        connection().then(
            (ssh) =>
                ssh.exec("docker system dial-stdio", (error, stream) => {
                    if (error && isChannelRefused(error) && attempt < CHANNEL_OPEN_ATTEMPTS) {
                        setTimeout(() => openChannel(attempt + 1, callback), CHANNEL_RETRY_FIRST_MS * 2 ** (attempt - 1));
                        return;
                    }
                    if (error) {
                        release();
                        callback(error);
                        return;
                    }
                    stream.once("close", () => void serverClosed(stream).then(release));
                    callback(null, stream);
                }),
            (error: Error) => {
                release();
                callback(error);
            },
        );
    };
    (agent as unknown as { createConnection: (options: unknown, callback: (error: Error | null, socket?: Duplex) => void) => void }).createConnection = (_options, callback) => {
        void slot().then(() => openChannel(1, callback));
    };
    return agent;
}
