/** Messages between the load tool's coordinator and its worker processes. */

/** One simulated client. */
export interface ClientPlan {
  user: string;
  room: string;
  url: string;
  localAddress?: string;
  /** Publisher id when this client publishes. */
  publisher?: number;
}

export type ToWorker =
  | {
      type: 'plan';
      driver: string;
      clients: ClientPlan[];
      concurrency: number;
      roomPublishers: Record<string, number[]>;
    }
  | {
      type: 'publish';
      ratePerPublisher: number;
      durationMs: number;
      messageBytes: number;
      churnPerSec: number;
    }
  | { type: 'account'; finalSeqs: Array<[number, number]> }
  | { type: 'reset' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; connected: number; failed: number; errors: string[] }
  | { type: 'progress'; sent: number; acked: number; received: number }
  | {
      type: 'published';
      finalSeqs: Array<[number, number]>;
      errors: number;
      rateLimited: number;
      /** CPU time of this process (user + system, microseconds) since the round's reset: the sending window. */
      cpuUs: number;
    }
  | {
      type: 'accounted';
      received: number;
      duplicates: number;
      missing: number;
      /** Deliveries expected by the clients that stayed connected. */
      expected: number;
      /** Deliveries received by those clients (`received` counts the churned clients' too). */
      receivedByStayed: number;
      churned: number;
      reconnects: number;
      latency: string;
      /** From each send to its acknowledgement. */
      ackLatency: string;
      /** CPU time of this process since the round's reset, the drain included. */
      cpuUs: number;
    };
