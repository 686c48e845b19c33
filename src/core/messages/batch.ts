// Messages of the batch commands. Each entry: English and Simplified Chinese.
export const batch = {
} as const;
