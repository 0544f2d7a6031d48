import { Session } from 'node:inspector';
import type { CpuProfile } from './profile.js';

/**
 * V8's sampling CPU profiler on this process, through the inspector: the same profile
 * `node --cpu-prof` writes, taken around just the window a benchmark measures.
 */
export class CpuProfiler {
  private session?: Session;

  private post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) =>
      this.session!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
    );
  }

  /** Starts sampling every `intervalMicros` (default 1 ms). */
  async start(intervalMicros = 1000): Promise<void> {
    this.session ??= new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: intervalMicros });
    await this.post('Profiler.start');
  }

  /** Stops sampling and returns the profile. */
  async stop(): Promise<CpuProfile> {
    const { profile } = await this.post<{ profile: CpuProfile }>('Profiler.stop');
    await this.post('Profiler.disable');
    this.session!.disconnect();
    return profile;
  }
}
