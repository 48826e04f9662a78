/**
 * Long tasks of the page's main thread, and which of them featureviz caused.
 *
 * The Long Tasks API says when a task over 50 ms ran, not whose code it ran;
 * a CPU profile says whose code ran, on another clock. An anchor joins the
 * two: a busy loop of known name is both a long task and a run of samples,
 * which gives the offset between the clocks. A long task "ran featureviz"
 * when any of the profile's samples in it has a frame of featureviz's own
 * scripts (served from its labextension folder) on the stack — the count
 * that blames featureviz for the rendering its updates cause; it is
 * "mostly featureviz" when such samples are at least a third of it. The
 * rest are JupyterLab's, the browser's or the garbage collector's.
 */
import type { CDPSession, Page } from '@playwright/test';

/** Where featureviz's scripts are served from. */
const OUR_SCRIPTS = '/jupyterlab-featureviz/';
const ANCHOR = '__featurevizLongTaskAnchor';
const SAMPLING_US = 500;

export interface ILongTask {
  /** Milliseconds since the page's time origin. */
  readonly start: number;
  readonly duration: number;
  /** Milliseconds of samples in featureviz's scripts. */
  readonly featurevizMs: number;
  /** Milliseconds of samples in all. */
  readonly sampledMs: number;
  /** Featureviz's functions that took most of it, for the report. */
  readonly top: string[];
  /** Whose code took most of it (script file, or the VM's own work). */
  readonly owner: string;
}

export interface ILongTaskReport {
  readonly all: ILongTask[];
  /** Long tasks in which featureviz's code ran at all. */
  readonly featureviz: ILongTask[];
  /** Long tasks that were mostly featureviz's code. */
  readonly mostlyFeatureviz: ILongTask[];
}

interface IProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface IProfile {
  nodes: IProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Starts watching; call `stop()` when the work is done. */
export async function watchLongTasks(
  page: Page
): Promise<{ stop(): Promise<ILongTaskReport> }> {
  await page.evaluate(() => {
    const tasks: [number, number][] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver(list =>
      list.getEntries().forEach(e => tasks.push([e.startTime, e.duration]))
    ).observe({ type: 'longtask' });
  });
  // Galata's page is a proxy; the profiler wants the browser's own page.
  const raw =
    page
      .context()
      .pages()
      .find(p => p.url() === page.url()) ?? page;
  const cdp: CDPSession = await page.context().newCDPSession(raw);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await cdp.send('Profiler.start');
  // A named busy loop: a long task, and samples in a function of that name.
  const anchorStart = (await page.evaluate(`(function ${ANCHOR}() {
    const started = performance.now();
    while (performance.now() - started < 80) {}
    return started;
  })()`)) as number;
  return {
    async stop() {
      const { profile } = (await cdp.send('Profiler.stop')) as {
        profile: IProfile;
      };
      await cdp.detach();
      const tasks = await page.evaluate(
        () =>
          (window as unknown as { __longTasks: [number, number][] }).__longTasks
      );
      return attribute(profile, tasks, anchorStart);
    }
  };
}

function attribute(
  profile: IProfile,
  tasks: [number, number][],
  anchorStart: number
): ILongTaskReport {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const stack = (id: number): IProfileNode[] => {
    const frames: IProfileNode[] = [];
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = parent.get(at)
    ) {
      frames.push(byId.get(at) as IProfileNode);
    }
    return frames;
  };
  // Sample times in milliseconds, on the profile's clock.
  let time = profile.startTime;
  const samples = profile.samples.map((id, i) => {
    time += profile.timeDeltas[i];
    return { id, at: time / 1000, ms: (profile.timeDeltas[i + 1] ?? 0) / 1000 };
  });
  const anchorSample = samples.find(s =>
    stack(s.id).some(f => f.callFrame.functionName === ANCHOR)
  );
  if (!anchorSample) {
    throw new Error('the profile has no sample of the anchor');
  }
  const offset = anchorSample.at - anchorStart;
  const all = tasks
    // Not the anchor itself.
    .filter(
      ([start, duration]) =>
        anchorStart < start || anchorStart > start + duration
    )
    .map(([start, duration]) => {
      let featurevizMs = 0;
      let sampledMs = 0;
      const ours = new Map<string, number>();
      const owners = new Map<string, number>();
      for (const s of samples) {
        const at = s.at - offset;
        if (at < start || at > start + duration) {
          continue;
        }
        const frames = stack(s.id);
        if (frames[0]?.callFrame.functionName === '(idle)') {
          continue;
        }
        sampledMs += s.ms;
        const script =
          frames
            .find(f => f.callFrame.url)
            ?.callFrame.url.split('/')
            .pop() ??
          frames[0]?.callFrame.functionName ??
          '?';
        owners.set(script, (owners.get(script) ?? 0) + s.ms);
        const mine = frames.find(f => f.callFrame.url.includes(OUR_SCRIPTS));
        if (mine) {
          featurevizMs += s.ms;
          const name = mine.callFrame.functionName || '(anonymous)';
          ours.set(name, (ours.get(name) ?? 0) + s.ms);
        }
      }
      const top = [...ours]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`);
      const owner =
        [...owners].sort((a, b) => b[1] - a[1])[0]?.[0]?.split('?')[0] ?? '';
      return { start, duration, featurevizMs, sampledMs, top, owner };
    });
  return {
    all,
    featureviz: all.filter(t => t.featurevizMs > 0),
    mostlyFeatureviz: all.filter(
      t => t.sampledMs > 0 && t.featurevizMs >= t.sampledMs / 3
    )
  };
}
