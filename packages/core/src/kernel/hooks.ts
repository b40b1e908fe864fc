/**
 * What the kernel needs from the events and rules subsystems (implemented in ../events and
 * ../rules; kept as interfaces so the registry does not depend on their internals).
 */

/** An event as the kernel emits it (the Events stream assigns `seq`). */
export interface KernelEvent {
  type: 'REGISTER' | 'UNREGISTER' | 'CREATE' | 'DELETE' | 'CHANGE' | 'LOOKUP' | 'OPEN' | 'CLOSE' | 'NOTIFY';
  name: string;
  mount?: string;
  ino?: number;
  uid?: number;
  gid?: number;
  mode?: number;
  data?: Record<string, unknown>;
}

/** Receiver of kernel events; `emit` must only enqueue (listeners never run inside the kernel). */
export interface EventSink {
  emit(e: KernelEvent): void;
}

/** The subject a rule is evaluated against. */
export interface RuleSubject {
  path: string;
  kind: 'dev' | 'dir' | 'link';
  dflags: number;
}

/** Attributes a rule may change. */
export interface RuleAttrs {
  hidden: boolean;
  uid: number;
  gid: number;
  mode: number;
}

/** The rule engine as mounts use it (implemented by ../rules Rules). */
export interface RuleEngine {
  resolve(ruleset: number | string): number;
  evaluate(ruleset: number, subject: RuleSubject, attrs: RuleAttrs): boolean;
}
