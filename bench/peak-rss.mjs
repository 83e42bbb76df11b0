// Preloaded (`node --import`) into a command the bench times as a whole process: when the process exits, writes
// its peak resident set size (all threads, in KiB) to the file named by BENCH_PEAK_RSS_FILE. Plain JavaScript,
// so it adds nothing to the command's start but loading this file.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
