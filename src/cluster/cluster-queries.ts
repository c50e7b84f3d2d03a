/**
 * Questions to every node of the cluster, answered from each node's own memory: an operator's listing (the
 * connections of every instance, a page at a time) costs one broadcast and one small answer per node, and nothing
 * at all while nobody asks. No connection is written to Redis to make it listable. Questions and answers travel on
 * the control channel every node already hears; with the memory engine that is the node itself (one path).
 */
import type { Broker } from '../broker/broker.js';
import { type ClusterAnswerEvent, type ClusterQueryEvent, CONTROL_ROOM } from '../engine/types.js';
import type { Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';

export type ClusterQuery = ClusterQueryEvent['query'];

/** What the nodes answered; `missing`: nodes that did not answer in time (they are left out). */
export interface ClusterAnswers<T> {
  answers: Array<{ node: string; answer: T }>;
  missing: number;
}

export interface ClusterQueriesDeps {
  nodeId: string;
  broker: Broker;
  timers: Timers;
  ids: IdGenerator;
  /** How many nodes are alive (the registry's view): the answers to wait for. */
  liveNodes: () => Promise<number>;
  /** This node's answer to a question. */
  answer: (query: ClusterQuery) => unknown;
  /** How long to wait for the slowest node. */
  timeoutMs: number;
}

interface Pending {
  answers: Array<{ node: string; answer: unknown }>;
  expected: number;
  done: () => void;
}

export class ClusterQueries {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: ClusterQueriesDeps) {}

  /** Asks every node; resolves with every answer, or with those that came within the timeout. */
  async ask<T>(query: ClusterQuery): Promise<ClusterAnswers<T>> {
    const { broker, timers, ids, nodeId, timeoutMs } = this.deps;
    const expected = Math.max(1, await this.deps.liveNodes());
    const id = ids.sessionId();
    const entry: Pending = { answers: [], expected, done: () => {} };
    const finished = new Promise<void>((resolve) => {
      entry.done = resolve;
    });
    this.pending.set(id, entry);
    const timer = timers.setTimeout(() => entry.done(), timeoutMs);
    try {
      await broker.signal({ kind: 'control', room: CONTROL_ROOM, action: 'query', id, from: nodeId, query });
      await finished;
    } finally {
      timer.cancel();
      this.pending.delete(id);
    }
    return {
      answers: entry.answers as Array<{ node: string; answer: T }>,
      missing: Math.max(0, expected - entry.answers.length),
    };
  }

  /** A question from a node (this one included): answers it. */
  onQuery(event: ClusterQueryEvent): Promise<void> {
    const answer: ClusterAnswerEvent = {
      kind: 'control',
      room: CONTROL_ROOM,
      action: 'answer',
      id: event.id,
      to: event.from,
      from: this.deps.nodeId,
      answer: this.deps.answer(event.query),
    };
    return this.deps.broker.signal(answer);
  }

  /** An answer: kept when it is to this node's open question. */
  onAnswer(event: ClusterAnswerEvent): void {
    if (event.to !== this.deps.nodeId) return;
    const entry = this.pending.get(event.id);
    if (!entry || entry.answers.some((a) => a.node === event.from)) return;
    entry.answers.push({ node: event.from, answer: event.answer });
    if (entry.answers.length >= entry.expected) entry.done();
  }
}
