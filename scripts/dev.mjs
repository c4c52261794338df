#!/usr/bin/env node
// `npm run dev`: the API with restart-on-change (tsx watch) and Vite with HMR, together.
// Vite proxies /api to the API (vite.config.ts), so the page talks to one origin as in production.
import { spawn } from 'node:child_process';

const apiPort = process.env.DEV_API_PORT ?? '5051';
const env = { ...process.env, PORT: apiPort, DEV_API_PORT: apiPort };
const children = [
  spawn('npx', ['tsx', 'watch', 'server/main.ts'], { stdio: 'inherit', env }),
  spawn('npx', ['vite'], { stdio: 'inherit', env }),
];

const stopAll = () => {
  for (const child of children) child.kill('SIGTERM');
};
for (const child of children) {
  child.on('exit', (code) => {
    stopAll();
    process.exitCode = code ?? 0;
  });
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
