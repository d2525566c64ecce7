// Types of scripts/pretest-plan.mjs for the TypeScript tests that import it.
export interface MachineFacts {
  debian: { codename: string } | null;
  aptGet: boolean;
  root: boolean;
  sudo: boolean;
  installed: Record<string, string>;
  files: string[];
  commands: string[];
  codeServerInstalled: boolean;
  backportsSource: boolean;
  mirror: string | null;
}
export interface Requirement {
  packages: string[];
  why: string;
  onlyToInstallCodeServer?: boolean;
  backports?: boolean;
  present(f: MachineFacts): boolean;
}
export type SetupStep = { kind: 'add-source'; path: string; line: string } | { kind: 'apt'; args: string[] };
export interface SetupPlan {
  missing: Requirement[];
  steps: SetupStep[];
  commands: string[];
  run: 'nothing' | 'install' | 'refuse';
  prefix: '' | 'sudo ';
  reason?: string;
}
export const MIN_MESA_MAJOR: number;
export const REQUIREMENTS: Requirement[];
export const ALL_PACKAGES: string[];
export function mesaMajor(version: string | undefined): number;
export function missingRequirements(facts: MachineFacts): Requirement[];
export function planSetup(facts: MachineFacts): SetupPlan;
export function mirrorFor(codename: string, sourceFiles: readonly string[]): string | null;
export function hasBackportsSource(codename: string, sourceFiles: readonly string[]): boolean;
