/** Everything an Adaptive holds at one instant. Frozen: a reader can keep it as long as it likes. */
export interface AdaptiveState<T> {
  readonly primary: T;
  readonly shadow: T | undefined;
  /** The primary a promotion replaced, kept so a rollback can restore it. */
  readonly snapshot: T | undefined;
  /** False after a kill (or a rollback that stops mirroring): the shadow is not evaluated any more. */
  readonly shadowEnabled: boolean;
  /** The stage the last command led to, and the share of traffic it gives the candidate. */
  readonly stage: string;
  readonly weight: number;
  /** Moves by one on every change. */
  readonly version: number;
}

/**
 * A value with a primary and an optional shadow. The whole state is one frozen object behind one
 * reference: a read is a single property load, so it is lock-free and always sees a whole value,
 * never a primary of one version with the shadow of another. Every change builds a new object and
 * swaps the reference.
 */
export class Adaptive<T> {
  private state: AdaptiveState<T>;

  constructor(primary: T, shadow?: T, options: { stage?: string } = {}) {
    this.state = Object.freeze({ primary, shadow, snapshot: undefined, shadowEnabled: true, stage: options.stage ?? 'shadow', weight: 0, version: 0 });
  }

  /** The value to serve. */
  get(): T {
    return this.state.primary;
  }

  /** The shadow to evaluate, or undefined when there is none or it was disabled. */
  shadow(): T | undefined {
    const s = this.state;
    return s.shadowEnabled ? s.shadow : undefined;
  }

  /** Primary and shadow (undefined when none or disabled) from the same version: what one request should use. */
  sides(): { primary: T; shadow: T | undefined } {
    const s = this.state;
    return { primary: s.primary, shadow: s.shadowEnabled ? s.shadow : undefined };
  }

  /** The whole state at once. */
  read(): AdaptiveState<T> {
    return this.state;
  }

  /** Offers a new shadow (and enables shadowing again). */
  setShadow(shadow: T): void {
    this.swap({ shadow, shadowEnabled: true });
  }

  /** Swaps the shadow into primary and clears the shadow; the old primary is kept for rollback(). False when there is no shadow. */
  promoteShadow(): boolean {
    const s = this.state;
    if (s.shadow === undefined || !s.shadowEnabled) return false;
    this.swap({ primary: s.shadow, shadow: undefined, snapshot: s.primary });
    return true;
  }

  /**
   * Restores the primary a promotion replaced. The demoted value becomes the shadow again, as the
   * policy's back-to-shadow means, so it can be evaluated anew. False when nothing was promoted.
   */
  rollback(): boolean {
    const s = this.state;
    if (s.snapshot === undefined) return false;
    this.swap({ primary: s.snapshot, shadow: s.primary, snapshot: undefined });
    return true;
  }

  /** Stops evaluating the shadow (a kill): restores the snapshot if there is one and disables the shadow. */
  disableShadow(): void {
    const s = this.state;
    if (s.snapshot !== undefined) this.swap({ primary: s.snapshot, shadow: s.primary, snapshot: undefined, shadowEnabled: false });
    else this.swap({ shadowEnabled: false });
  }

  /** Records where the experiment stands without changing what is served. */
  recordStage(stage: string, weight: number): void {
    this.swap({ stage, weight });
  }

  private swap(patch: Partial<Omit<AdaptiveState<T>, 'version'>>): void {
    const previous = this.state;
    this.state = Object.freeze({ ...previous, ...patch, version: previous.version + 1 });
  }
}
