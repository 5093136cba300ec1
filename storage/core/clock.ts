/** An injectable clock, so that time-dependent logic (GC grace, signatures, lifecycle) is testable. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  #nowMs: number;
  constructor(startMs: number) {
    this.#nowMs = startMs;
  }
  /** Current time of this clock. */
  nowMs(): number {
    return this.#nowMs;
  }
  /** Moves the clock forward by `deltaMs`. */
  advance(deltaMs: number): void {
    this.#nowMs += deltaMs;
  }
}
