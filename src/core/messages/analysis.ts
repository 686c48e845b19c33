// Messages of the analysis commands. Each entry: English and Simplified Chinese.
export const analysis = {
} as const;
