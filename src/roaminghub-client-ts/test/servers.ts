// Real processes for the tests: a redis-server on a free loopback port, and RoamingHub nodes (the server build) on it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const packageRoot = resolve(repositoryRoot, "src", "roaminghub-client-ts");

/** The sample keys of src/RoamingHub.Server/Auth/AuthOptions.cs, which the server accepts in Development only. */
export const sampleSigningKey = "dev-only-signing-key-change-me-0123456789abcdef";
export const sampleAdminApiKey = "dev-only-admin-key";

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `check` until it holds or `timeoutMs` passes; the box may be busy, so waits are on conditions, not times. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) {
        return;
      }
    } catch {
      // Not yet.
    }

    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    }

    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Keeps the last lines a process wrote, to show when it fails. */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n"));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

export interface RedisProcess {
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), "roaminghub-ts-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "no", "--dir", directory, "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output = tail(child);
  child.once("error", () => undefined);
  const stop = async () => {
    await kill(child);
    rmSync(directory, { recursive: true, force: true });
  };
  await waitFor(
    () =>
      new Promise<boolean>((done) => {
        const socket = new Socket();
        socket.once("error", () => done(false));
        socket.connect(port, "127.0.0.1", () => {
          socket.write("PING\r\n");
          socket.once("data", (data) => {
            socket.destroy();
            done(data.toString().startsWith("+PONG"));
          });
        });
      }),
    30_000,
    `redis-server on port ${port} (is it installed? .ci/run installs it)\n${output()}`,
  ).catch(async (error: unknown) => {
    // A redis-server that never answered must not outlive the run.
    await stop();
    throw error;
  });
  return { port, stop };
}

/** The server build to run: ROAMINGHUB_SERVER_DLL, or the Release build in the repository, built when missing. */
export function serverDll(): string {
  const fromEnvironment = process.env.ROAMINGHUB_SERVER_DLL;
  if (fromEnvironment) {
    return fromEnvironment;
  }

  const dll = join(repositoryRoot, "src", "RoamingHub.Server", "bin", "Release", "net10.0", "RoamingHub.Server.dll");
  if (!existsSync(dll)) {
    const build = spawnSync("dotnet", ["build", join(repositoryRoot, "src", "RoamingHub.Server"), "-c", "Release", "--nologo", "-v", "q"], { stdio: "inherit" });
    if (build.status !== 0 || !existsSync(dll)) {
      throw new Error(`Building the server failed; build it with dotnet build src/RoamingHub.Server -c Release, or set ROAMINGHUB_SERVER_DLL.`);
    }
  }

  return dll;
}

export interface NodeOptions {
  redisPort: number;
  prefix: string;
  port?: number;
  settings?: Record<string, string>;
}

/** A RoamingHub node in a process of its own, so a test can kill it and start it again on the same port. */
export class ServerNode {
  private child: ChildProcess | undefined;
  private output: () => string = () => "";

  private constructor(
    private readonly options: NodeOptions,
    readonly port: number,
  ) {}

  /** A node that is not running yet: start it with {@link restart}. */
  static async create(options: NodeOptions): Promise<ServerNode> {
    return new ServerNode(options, options.port ?? (await freePort()));
  }

  static async start(options: NodeOptions): Promise<ServerNode> {
    const node = await ServerNode.create(options);
    await node.restart();
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process (again) and waits until it answers /readyz; one that does not is killed, not left running. */
  async restart(): Promise<void> {
    const dll = serverDll();
    const child = spawn("dotnet", [dll, "--urls", this.url], {
      cwd: dirname(dll),
      stdio: ["ignore", "pipe", "pipe"],
      // A process group of its own, so a kill reaches whatever the process started too.
      detached: true,
      env: {
        ...process.env,
        ASPNETCORE_ENVIRONMENT: "Development",
        ConnectionStrings__Redis: `127.0.0.1:${this.options.redisPort}`,
        Roaming__RedisKeyPrefix: this.options.prefix,
        Auth__SigningKey: sampleSigningKey,
        Auth__AdminApiKey: sampleAdminApiKey,
        Logging__LogLevel__Default: "Warning",
        ...this.options.settings,
      },
    });
    child.once("error", () => undefined);
    this.child = child;
    this.output = tail(child);
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error("exited");
        }
        const response = await fetch(`${this.url}/readyz`);
        return response.status === 200;
      },
      120_000,
      `the node on ${this.url} to be ready`,
    ).catch(async (error: Error) => {
      const output = this.output();
      await kill(child, "SIGKILL");
      this.child = undefined;
      throw new Error(`${error.message}\n${output}`);
    });
  }

  /** SIGKILL, as a crash: its connections drop without a Close message. */
  async kill(): Promise<void> {
    if (this.child) {
      await kill(this.child, "SIGKILL");
      this.child = undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.child) {
      await kill(this.child);
      this.child = undefined;
    }
  }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  killGroup(child, signal);
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Signals the child's process group (it was spawned detached, so it leads one), or the child alone when that fails. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, signal);
      return;
    }
  } catch {
    // The group is gone, or this platform has no process groups.
  }

  child.kill(signal);
}
