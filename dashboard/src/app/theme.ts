import { createTheme, type MantineColorsTuple } from '@mantine/core';

// Orca's blue: deep water, readable on light and dark backgrounds.
const orca: MantineColorsTuple = [
  '#e6f4ff', '#cfe4fb', '#a0c6f2', '#6da6ea', '#428be3', '#2679df', '#136fde', '#005ec6', '#0053b2', '#00479e',
];

export const theme = createTheme({
  primaryColor: 'orca',
  colors: { orca },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '650' },
});
