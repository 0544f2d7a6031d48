/** Counted nouns in the console's English: "1 deployment", "3 deployments", "0 clusters". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
