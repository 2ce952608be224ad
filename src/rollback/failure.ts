// Why a rollback command did nothing, and which exit code that is (src/cli/exit-codes.ts).
export interface RollbackFailure {
  /** refused: the state does not allow it (1); usage: a wrong name or option (2); cloud: unreadable (4). */
  kind: "refused" | "usage" | "cloud";
  message: string;
}

export const refused = (message: string): RollbackFailure => ({ kind: "refused", message });
export const usage = (message: string): RollbackFailure => ({ kind: "usage", message });
export const cloud = (message: string): RollbackFailure => ({ kind: "cloud", message });
