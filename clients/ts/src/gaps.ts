/**
 * Gap detection (spec/PROTOCOL.md 4.5), without I/O: per conversation, which seqnums were
 * seen, so that a jump names exactly the missing range and nothing is handed to the
 * application twice. A conversation never seen has no gap: its first seqnum is the
 * baseline (catching up from scratch is the inbox's job). A fetched range with holes is a
 * seqnum jump after a server restart, not a loss: `cover()` accounts for it.
 */

export interface Gap {
  conversation: bigint;
  /** The missing range, inclusive at both ends. */
  first: bigint;
  last: bigint;
}

export class GapTracker {
  private readonly lastSeen = new Map<bigint, bigint>();
  private readonly above = new Map<bigint, Set<bigint>>();

  /** Everything up to this seqnum was seen; undefined for a conversation never seen. */
  last(conversation: bigint): bigint | undefined {
    return this.lastSeen.get(conversation);
  }

  conversations(): bigint[] {
    return [...this.lastSeen.keys()];
  }

  seen(conversation: bigint, seqnum: bigint): boolean {
    const last = this.lastSeen.get(conversation);
    return last !== undefined && (seqnum <= last || this.above.get(conversation)!.has(seqnum));
  }

  gapBefore(conversation: bigint, seqnum: bigint): Gap | undefined {
    const last = this.lastSeen.get(conversation);
    if (last === undefined || seqnum <= last + 1n) return undefined;
    return { conversation, first: last + 1n, last: seqnum - 1n };
  }

  /** Records `seqnum` as seen; false when it already was (a duplicate). */
  mark(conversation: bigint, seqnum: bigint): boolean {
    const last = this.lastSeen.get(conversation);
    if (last === undefined) {
      this.lastSeen.set(conversation, seqnum);
      this.above.set(conversation, new Set());
      return true;
    }
    const above = this.above.get(conversation)!;
    if (seqnum <= last || above.has(seqnum)) return false;
    above.add(seqnum);
    this.advance(conversation);
    return true;
  }

  /** The range up to `last` was fetched: whatever it did not hold does not exist. */
  cover(conversation: bigint, last: bigint): void {
    const current = this.lastSeen.get(conversation);
    if (current === undefined || last > current) this.lastSeen.set(conversation, last);
    if (!this.above.has(conversation)) this.above.set(conversation, new Set());
    const above = this.above.get(conversation)!;
    for (const s of above) if (s <= last) above.delete(s);
    this.advance(conversation);
  }

  private advance(conversation: bigint): void {
    const above = this.above.get(conversation)!;
    let last = this.lastSeen.get(conversation)!;
    while (above.delete(last + 1n)) last += 1n;
    this.lastSeen.set(conversation, last);
  }
}
