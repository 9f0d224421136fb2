// The main README's JavaScript example, as a newcomer uses it: pack this package, install the tarball into a fresh
// `npm init -y` project, save the example as index.mjs and run it against a node.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { packageRoot, repositoryRoot } from "./servers.js";

const startMarker = "<!-- typescript-client-example:start -->";
const endMarker = "<!-- typescript-client-example:end -->";

/** The first ```js block between the markers in README.md. */
export function readmeExample(): string {
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${startMarker} … ${endMarker} section.`);
  }

  const section = readme.slice(start, end);
  const code = /```js\n([\s\S]*?)```/.exec(section);
  if (!code) {
    throw new Error("The README's TypeScript client section has no ```js block.");
  }

  return code[1]!;
}

describe("the README example", () => {
  const workspace = mkdtempSync(join(tmpdir(), "roaminghub-readme-"));

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it("runs as pasted in a fresh npm project with the package installed from its tarball", () => {
    const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    // Always built here, so the tarball holds the sources under test and never an older dist/.
    npm(["run", "build"], packageRoot);

    npm(["pack", "--pack-destination", workspace, "--loglevel=error"], packageRoot);
    const tarball = readdirSync(workspace).find((name) => name.endsWith(".tgz"));
    expect(tarball).toBe("roaminghub-client-0.1.0.tgz");
    const app = join(workspace, "app");
    execFileSync("mkdir", [app]);
    npm(["init", "-y"], app);
    // Its dependencies are the ones npm ci just put in the cache.
    npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(workspace, tarball!)], app);

    const example = readmeExample();
    expect(example).toContain("http://localhost:5080");
    writeFileSync(join(app, "index.mjs"), example.split("http://localhost:5080").join(inject("nodeB")));
    const output = execFileSync("node", ["index.mjs"], { cwd: app, encoding: "utf8", timeout: 120_000 });

    expect(output).toMatch(/^pinned: true seq: \d+$/m);
    expect(output).toMatch(/^conversations: bob$/m);
  });
});
