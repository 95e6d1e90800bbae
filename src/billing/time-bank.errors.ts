// Input the time-bank ledger refuses. Each refusal names the entry or lot and what is wrong, with a
// stable `problem` code; the ledger never guesses around bad data (a guess would move money).
import { HelpdeskError } from '../shared/errors.ts';

export type TimeBankProblem =
  | 'invalid-terms'
  | 'duplicate-id'
  | 'invalid-entry'
  | 'unknown-corrected-entry'
  | 'correction-cycle'
  | 'invalid-lot'
  | 'lot-step';

export class TimeBankInputError extends HelpdeskError {
  readonly problem: TimeBankProblem;

  constructor(problem: TimeBankProblem, message: string) {
    super('timebank.invalid_input', message);
    this.name = 'TimeBankInputError';
    this.problem = problem;
  }
}
