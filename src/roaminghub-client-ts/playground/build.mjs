// Bundles the playground (playground.ts with this package's client, @microsoft/signalr and its MessagePack protocol)
// into one ES module the server embeds and serves in Development: src/RoamingHub.Server/Playground/playground.js.
// The bundle is committed, so `dotnet run` serves the page with no npm step.
//
//   node playground/build.mjs           writes the bundle      (npm run build:playground)
//   node playground/build.mjs --check   fails when the committed bundle is not what a fresh build makes
//                                       (npm run check:playground; part of npm test)
import { build } from "esbuild";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bundlePath = path.resolve(here, "..", "..", "RoamingHub.Server", "Playground", "playground.js");
const relative = (file) => path.relative(path.resolve(here, "..", "..", ".."), file).split(path.sep).join("/");

const result = await build({
  entryPoints: [path.join(here, "playground.ts")],
  // The page imports the package by its name, as an app would; here that is this package's own source.
  alias: { "@roaminghub/client": path.resolve(here, "..", "src", "index.ts") },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  banner: { js: "// Built by `npm run build:playground` in src/roaminghub-client-ts from playground/playground.ts; do not edit." },
  write: false,
  logLevel: "warning",
  // The client reaches for `default` only where Node loads SignalR as CommonJS; a browser bundle never takes that path.
  logOverride: { "import-is-undefined": "silent" },
});
const bundle = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  const committed = await readFile(bundlePath, "utf8").catch(() => "");
  if (committed !== bundle) {
    console.error(`${relative(bundlePath)} is not what playground/playground.ts builds to: run \`npm run build:playground\` and commit it.`);
    process.exit(1);
  }
  console.log(`${relative(bundlePath)} matches a fresh build (${bundle.length} bytes).`);
} else {
  await writeFile(bundlePath, bundle);
  console.log(`wrote ${relative(bundlePath)} (${bundle.length} bytes)`);
}
