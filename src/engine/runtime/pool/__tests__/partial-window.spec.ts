import { PartialWindow } from '../partial-window';

/** A delivery the test answers by hand, in any order. */
function manualDeliveries() {
  const sent: number[] = [];
  const answers: Array<(error?: Error) => void> = [];
  const deliver = (partial: number) =>
    new Promise<void>((resolve, reject) => {
      sent.push(partial);
      answers.push(error => (error ? reject(error) : resolve()));
    });
  return { sent, answers, deliver };
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true)
  );
  // Every promise callback queued so far runs before a macrotask.
  await new Promise(resolve => setImmediate(resolve));
  return done;
};

describe('PartialWindow', () => {
  it('lets the share go on while fewer than its size are unanswered', async () => {
    const { sent, deliver } = manualDeliveries();
    const window = new PartialWindow(deliver, 3);
    expect(await settled(window.send(0))).toBe(true);
    expect(await settled(window.send(1))).toBe(true);
    // The third fills the window: the share waits for an answer.
    const third = window.send(2);
    expect(await settled(third)).toBe(false);
    expect(sent).toEqual([0, 1, 2]);
  });

  it('frees a place for each answer, in whatever order they come', async () => {
    const { answers, deliver } = manualDeliveries();
    const window = new PartialWindow(deliver, 2);
    await window.send(0);
    const second = window.send(1);
    expect(await settled(second)).toBe(false);
    answers[1]();
    expect(await settled(second)).toBe(true);
    const third = window.send(2);
    expect(await settled(third)).toBe(false);
    answers[0]();
    expect(await settled(third)).toBe(true);
  });

  it('drains only once every payload is answered', async () => {
    const { answers, deliver } = manualDeliveries();
    const window = new PartialWindow(deliver, 4);
    await window.send(0);
    await window.send(1);
    const drained = window.drain();
    answers[1]();
    expect(await settled(drained)).toBe(false);
    answers[0]();
    expect(await settled(drained)).toBe(true);
    await expect(drained).resolves.toBeUndefined();
  });

  it('fails the next send, and the drain, with a delivery that failed', async () => {
    const { answers, deliver } = manualDeliveries();
    const window = new PartialWindow(deliver, 4);
    await window.send(0);
    answers[0](new Error('the port closed'));
    await new Promise(resolve => setImmediate(resolve));
    await expect(window.send(1)).rejects.toThrow('the port closed');
    await expect(window.drain()).rejects.toThrow('the port closed');
  });

  it('takes a sink that answers at once', async () => {
    const got: number[] = [];
    const window = new PartialWindow((p: number) => void got.push(p), 1);
    for (let i = 0; i < 5; i++) {
      await window.send(i);
    }
    await window.drain();
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });
});
