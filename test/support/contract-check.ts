// Set up for every e2e test file (jest.config.js): a test during which an answer of a test app broke
// the OpenAPI document (test/support/contract.ts) fails, naming the request and the mismatch.
import { takeViolations, Violation } from './contract';

function failOn(violations: Violation[]): void {
  if (violations.length === 0) return;
  const lines = violations.map((v) => `  ${v.request} -> ${v.status}: ${v.problem}`);
  throw new Error(`answers that break the OpenAPI document:\n${lines.join('\n')}`);
}

afterEach(() => failOn(takeViolations()));
afterAll(() => failOn(takeViolations()));
