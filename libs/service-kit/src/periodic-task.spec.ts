import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('never runs twice at once, and stop waits for the run in hand', async () => {
    let started = 0;
    let finish: () => void = () => undefined;
    const task = new PeriodicTask(() => {
      started += 1;
      return new Promise<void>((r) => (finish = r));
    });
    task.start(100);
    jest.advanceTimersByTime(350);
    expect(started).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(started).toBe(1);
  });

  it('runs again once the previous run is over', async () => {
    let started = 0;
    const task = new PeriodicTask(async () => {
      started += 1;
    });
    task.start(100);
    for (let i = 0; i < 3; i += 1) {
      jest.advanceTimersByTime(100);
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(started).toBe(3);
    await task.stop();
  });
});
