/** A counting semaphore: bounds how many operations run at once. */
export class Semaphore {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  /** A semaphore with `size` permits. */
  constructor(size: number) {
    this.#free = size;
  }

  /** Takes a permit, waiting for one when none is free. */
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Gives a permit back (to the longest waiter, if any). */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
