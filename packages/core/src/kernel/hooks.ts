/**
 * What the kernel and mounts need from the events and rules subsystems, named from the kernel's
 * side. The shapes are defined once, in ../events/types and ../rules/types.
 */
import type { DevEventInput } from '../events/types';
import type { RuleAttrs, RuleSubject } from '../rules/types';

export type { RuleAttrs, RuleSubject };

/** An event as the kernel emits it (the Events stream assigns `seq`). */
export type KernelEvent = DevEventInput;

/** Receiver of kernel events; `emit` must only enqueue (listeners never run inside the kernel). */
export interface EventSink {
  /** Queues the event; returns its sequence number (0 when it was dropped). */
  emit(e: KernelEvent): number;
  /** True when an event of `type` would reach anyone (absent: always). */
  wants?(type: KernelEvent['type']): boolean;
  /**
   * As emit, for an object the kernel has just built and gives up: stamped and frozen in place
   * instead of copied (absent: emit). The kernel's own REGISTER/UNREGISTER go this way.
   */
  emitOwned?(e: KernelEvent): number;
}

/** The rule engine as mounts use it (implemented by ../rules Rules). */
export interface RuleEngine {
  resolve(ruleset: number | string): number;
  evaluate(ruleset: number, subject: RuleSubject, attrs: RuleAttrs): boolean;
}
