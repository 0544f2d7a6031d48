/** Colour families of badges and bar segments; each pairs with its text at a contrast of at least 4.5:1. */
export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'muted';
