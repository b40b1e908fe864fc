/**
 * What the kernel and mounts need from the events and rules subsystems, named from the kernel's
 * side. The shapes are defined once, in ../events/types and ../rules/types.
 */
import type { DevEventInput } from '../events/types';
import type { EventBuilder } from '../events/queue';
import type { RuleAttrs, RuleSubject } from '../rules/types';

export type { RuleAttrs, RuleSubject, EventBuilder };

/** An event as the kernel emits it (the Events stream assigns `seq`). */
export type KernelEvent = DevEventInput;

/** Receiver of kernel events; `emit` must only enqueue (listeners never run inside the kernel). */
export interface EventSink {
  /** Queues the event; returns its sequence number (0 when it was dropped). */
  emit(e: KernelEvent): number;
  /** True when an event of `type` would reach anyone (absent: always). */
  wants?(type: KernelEvent['type']): boolean;
  /**
   * As emit, for the kernel's own REGISTER/UNREGISTER: queues `build` and its arguments, and the
   * event is built at delivery only when someone receives it (absent: emit of `build`'s result).
   * `clock` false: `build` sets the event's time itself (REGISTER: the device's creation time,
   * read in the same make_dev call).
   */
  emitDeferred?<A, B, C>(type: KernelEvent['type'], build: EventBuilder<A, B, C>, a: A, b: B, c: C, clock?: boolean): number;
}

/** The rule engine as mounts use it (implemented by ../rules Rules). */
export interface RuleEngine {
  resolve(ruleset: number | string): number;
  evaluate(ruleset: number, subject: RuleSubject, attrs: RuleAttrs): boolean;
}
