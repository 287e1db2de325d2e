import { readFileSync } from 'node:fs';
import {
  DIAGRAM_FILE,
  loadAsl,
  README_END,
  README_FILE,
  README_START,
  renderMermaid,
  withDiagram,
} from '../../scripts/asl-diagram';

describe('the workflow diagram generated from the ASL', () => {
  const asl = loadAsl();
  const mermaid = renderMermaid(asl);

  it('is committed as generated from the current ASL (run npm run diagram when this fails)', () => {
    // Act
    const committed = readFileSync(DIAGRAM_FILE, 'utf8');

    // Assess
    expect(committed).toBe(mermaid);
  });

  it('is shown in the README as generated', () => {
    // Prepare
    const readme = readFileSync(README_FILE, 'utf8');

    // Act
    const regenerated = withDiagram(readme, mermaid);

    // Assess
    expect(readme).toBe(regenerated);
    expect(readme).toContain('```mermaid\nflowchart TD');
  });

  it('names every state as a node and draws every transition and Catch route', () => {
    // Act
    const lines = mermaid.split('\n');

    // Assess
    for (const name of Object.keys(asl.States)) {
      const id = name.replace(/[^A-Za-z0-9]/g, '');
      expect(lines.some((l) => l.trimStart().startsWith(id) && l.includes(`"${name}`))).toBe(true);
    }
    const catches = Object.values(asl.States).flatMap((s) => (s as { Catch?: unknown[] }).Catch ?? []);
    expect(lines.filter((l) => l.includes('-.->'))).toHaveLength(catches.length);
    const nexts = Object.values(asl.States).filter((s) => (s as { Next?: string }).Next).length;
    expect(lines.filter((l) => /^\s+\w+ --> \w+$/.test(l))).toHaveLength(nexts);
    expect(mermaid).toContain(`start((start)) --> ${asl.StartAt}`);
  });

  it('labels Choice branches with what they test and draws approvals, failures and waits distinctly', () => {
    // Assess
    expect(mermaid).toContain('CaughtUp -->|"catchUp.passed = true"| ValidateTarget');
    expect(mermaid).toContain('CaughtUp -->|otherwise| WaitForCatchUp');
    expect(mermaid).toContain('CutoverApproval[["CutoverApproval ⏸ approval"]]');
    expect(mermaid).toMatch(/MigrationRolledBack\(\["MigrationRolledBack: Migration\.RolledBack"\]\)/);
    expect(mermaid).toMatch(/class [A-Za-z,]*WaitForCatchUp[A-Za-z,]* wait/);
  });

  it('refuses a README without the diagram markers, naming them', () => {
    // Act / Assess
    expect(() => withDiagram('# no markers', mermaid)).toThrow(README_START);
    expect(() => withDiagram(`${README_END}\n${README_START}`, mermaid)).toThrow(README_END);
  });
});
