import { defineScenario } from './definition';

export const happyPath = defineScenario({
  name: 'happy-path',
  fault: 'none',
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
});
