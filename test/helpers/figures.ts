/**
 * Figures the fault tests measure, printed as `# fault figures: ...` lines in the test
 * output (docs/security.md quotes them).
 */
export function figure (text: string): void {
  process.stdout.write(`# fault figures: ${text}\n`)
}
