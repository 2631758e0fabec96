/**
 * Wake-ups of webhooks, sent in the background so that whoever asks — the projector after each
 * batch — never waits for Redis: all of a round are enqueued at once, and ids asked for while a
 * round is under way are sent together in the next one (each once), so a Redis that is away costs
 * one enqueue timeout per round, not one per webhook per batch. A wake-up that fails is the
 * sweep's to make up.
 */
export class WakeUps {
  private inFlight: Promise<void> | null = null;
  private readonly queued = new Set<string>();

  constructor(private readonly wake: (webhookId: string) => Promise<void>) {}

  request(webhookIds: Iterable<string>): void {
    for (const id of webhookIds) this.queued.add(id);
    if (!this.inFlight && this.queued.size > 0) this.inFlight = this.round();
  }

  /** Resolves once nothing is queued or under way. */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async round(): Promise<void> {
    const ids = [...this.queued];
    this.queued.clear();
    await Promise.all(ids.map((id) => this.wake(id).catch(() => undefined)));
    this.inFlight = this.queued.size > 0 ? this.round() : null;
  }
}
