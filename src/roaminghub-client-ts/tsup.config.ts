import { defineConfig } from "tsup";

// ESM with type declarations; the SignalR packages stay dependencies, resolved by the app's bundler or Node.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2020",
  platform: "neutral",
});
