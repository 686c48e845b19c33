// Tests spawn the real binary, which runs the compiled dist/: rebuild it once so it matches src/.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
