// Starts a real redis-server and two RoamingHub nodes on it for the whole run, and ends them at teardown.
import type { TestProject } from "vitest/node";
import { ServerNode, serverDll, startRedis } from "./servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisPort: number;
    prefix: string;
    nodeA: string;
    nodeB: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  serverDll();
  const redis = await startRedis();
  const prefix = `ts${Math.random().toString(36).slice(2, 10)}`;
  const nodes: ServerNode[] = [];
  const teardown = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
  };
  try {
    // Each node is known to the teardown before it starts, so one that fails to get ready is stopped too.
    for (let i = 0; i < 2; i++) {
      const node = await ServerNode.create({ redisPort: redis.port, prefix });
      nodes.push(node);
      await node.restart();
    }
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide("redisPort", redis.port);
  project.provide("prefix", prefix);
  project.provide("nodeA", nodes[0]!.url);
  project.provide("nodeB", nodes[1]!.url);
  return teardown;
}
