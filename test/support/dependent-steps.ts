// Steps of an e2e test that build on each other: once one fails, the rest skip themselves
// (their cloud state would be wrong), and `failed` tells the cleanup to keep what is left.
import { test, type TestContext } from "node:test";

export class DependentSteps {
  failed = false;

  step(name: string, body: (t: TestContext) => Promise<void>, timeoutMs?: number): void {
    test(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, async (t) => {
      if (this.failed) return t.skip("an earlier step failed");
      try {
        await body(t);
      } catch (error) {
        this.failed = true;
        throw error;
      }
    });
  }
}
