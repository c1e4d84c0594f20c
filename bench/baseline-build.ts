/**
 * Before/after runs (`BENCH_BASELINE=<git revision> npm run bench`): builds another
 * revision's worker bundle so it can be served beside the current one in the same
 * run. Two runs on a shared machine drift more than the changes being judged; two
 * builds interleaved in one run drift alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface BaselineBuild {
  /** The revision as given (a hash, a branch, a tag…). */
  revision: string;
  commit: string;
  shortCommit: string;
  /** The revision's tree with its bundle in dist/: what startGateway reads (wrangler.toml, migrations, dist/index.js). */
  root: string;
  /** Removes the tree and the bundle. */
  remove(): void;
}

const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The current build: HEAD, and whether the working tree differs from it (the bench serves the working tree). */
export function describeCurrent(): { commit: string; uncommitted: boolean } {
  // Ignore the files a bench run rewrites, so a second run does not call its own results a change.
  const changes = git('status', '--porcelain', '--', '.', ':!bench/results.json', ':!bench/RESULTS.md', ':!README.md');
  return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted: changes !== '' };
}

/**
 * Exports `revision` with `git archive` (not `git worktree add`: nothing is registered in the
 * repository, so an interrupted run leaves at most a temp dir behind) and builds it as `npm run build`
 * does, with the current tree's node_modules and wrangler.
 */
export function buildBaseline(revision: string): BaselineBuild {
  let commit: string;
  try {
    commit = git('rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`);
  } catch {
    throw new Error(`BENCH_BASELINE=${revision} is not a commit in this repository`);
  }
  const shortCommit = git('rev-parse', '--short', commit);
  const root = mkdtempSync(join(tmpdir(), `find-token-bench-baseline-${shortCommit}-`));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', commit], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    // The revision's own lockfile may pin other versions; installing them would cost minutes and the
    // network on every run, so it borrows ours (a dependency bump then shows as part of neither side).
    symlinkSync(realpathSync('node_modules'), join(root, 'node_modules'), 'dir');
    const wrangler = resolve('node_modules', 'wrangler', 'bin', 'wrangler.js');
    const build = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', 'dist'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    if (build.status !== 0) throw new Error(`building ${revision} (${shortCommit}) failed:\n${build.stdout}\n${build.stderr}`);
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error(`building ${revision} (${shortCommit}) wrote no dist/index.js`);
  } catch (error) {
    remove();
    throw error;
  }
  return { revision, commit, shortCommit, root, remove };
}
