/** "1 topic", "3 topics": a count with its noun in the number it needs (English, regular or given). */
export const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
