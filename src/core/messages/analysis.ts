// Messages of the analysis commands (analyze, compare). Each entry: English and Simplified Chinese.
export const analysis = {
  // analyze: terminal summary
  analyze_header: { en: '{file}  ({duration})', zh: '{file}（{duration}）' },
  analyze_loudness: {
    en: 'Loudness     integrated {integrated} LUFS · range {range} LU · true peak {truePeak} dBTP · sample peak {samplePeak} dBFS',
    zh: '响度         整体 {integrated} LUFS · 响度范围 {range} LU · 真峰值 {truePeak} dBTP · 采样峰值 {samplePeak} dBFS',
  },
  analyze_curve: { en: 'Curve        {spark}', zh: '响度曲线     {spark}' },
  analyze_curve_scale: { en: '             {min} … {max} LUFS, one mark ≈ {step} s', zh: '             {min} … {max} LUFS，每格约 {step} 秒' },
  analyze_sound: {
    en: 'Sound        {speaking}% of the time above the silence threshold, {silence}% silence',
    zh: '有声         {speaking}% 的时间高于静音阈值，{silence}% 为静音',
  },
  analyze_threshold: {
    en: '             silence threshold {threshold} dBFS = noise floor {floor} dBFS + {margin} dB (calibrated to this recording)',
    zh: '             静音阈值 {threshold} dBFS = 本底噪声 {floor} dBFS + {margin} dB（按本录音校准）',
  },
  analyze_threshold_clamped: {
    en: '             silence threshold {threshold} dBFS (noise floor {floor} dBFS; limited to {min}…{max} dBFS by the preset)',
    zh: '             静音阈值 {threshold} dBFS（本底噪声 {floor} dBFS；按预设限制在 {min}…{max} dBFS）',
  },
  analyze_pauses: { en: 'Long pauses  {count} (≥ {min} s)', zh: '长停顿       {count} 处（≥ {min} 秒）' },
  analyze_quiet: { en: 'Too quiet    {count} (under {lufs} LUFS for ≥ {min} s)', zh: '音量过低     {count} 处（低于 {lufs} LUFS 且 ≥ {min} 秒）' },
  analyze_span: { en: '             {start} – {end}  {duration} s', zh: '             {start} – {end}  {duration} 秒' },
  analyze_scenes: { en: 'Slide/scene  {count} changes, {perMinute} per minute', zh: '画面切换     {count} 次，每分钟 {perMinute} 次' },
  analyze_scene_times: { en: '             at {times}', zh: '             时间点 {times}' },
  analyze_scenes_none: { en: 'Slide/scene  no video stream: not measured', zh: '画面切换     无视频流，未测量' },
  analyze_note: {
    en: 'Note: loudness cannot tell who is speaking; "sound" is any voice (teacher or pupils) or noise above the threshold.',
    zh: '注意：仅凭响度无法区分说话人；“有声”指高于阈值的任何声音（教师或学生说话，或其他噪声）。',
  },
  analyze_plot_written: { en: 'chart written to {path}', zh: '图表已写入 {path}' },
  analyze_na: { en: 'n/a', zh: '无' },

  // analyze: the SVG chart
  svg_title: { en: 'Loudness over time — {file}', zh: '响度随时间变化 — {file}' },
  svg_summary: {
    en: 'integrated {integrated} LUFS · sound {speaking}% · {pauses} long pauses · {scenes} slide/scene changes',
    zh: '整体响度 {integrated} LUFS · 有声 {speaking}% · 长停顿 {pauses} 处 · 画面切换 {scenes} 次',
  },
  svg_summary_no_video: {
    en: 'integrated {integrated} LUFS · sound {speaking}% · {pauses} long pauses',
    zh: '整体响度 {integrated} LUFS · 有声 {speaking}% · 长停顿 {pauses} 处',
  },
  svg_axis_time: { en: 'time (mm:ss)', zh: '时间（分:秒）' },
  svg_axis_loudness: { en: 'loudness (LUFS)', zh: '响度（LUFS）' },
  svg_legend_curve: { en: 'loudness, {step} s average', zh: '响度（{step} 秒平均）' },
  svg_legend_pause: { en: 'long pause (≥ {min} s)', zh: '长停顿（≥ {min} 秒）' },
  svg_legend_quiet: { en: 'too quiet', zh: '音量过低' },
  svg_legend_quiet_level: { en: 'too-quiet level ({value} LUFS)', zh: '音量过低线（{value} LUFS）' },
  svg_legend_scene: { en: 'slide/scene change', zh: '画面切换' },
  svg_note: {
    en: 'Loudness cannot tell teacher talk from pupil talk.',
    zh: '仅凭响度无法区分教师与学生的说话时间。',
  },

  // compare
  compare_done: { en: '✓ {output}  {width}×{height}, {duration} s, audio: {audio}', zh: '✓ {output}  {width}×{height}，{duration} 秒，音频：{audio}' },
  compare_audio_both: { en: 'input 1 left ear, input 2 right ear', zh: '输入 1 左声道，输入 2 右声道' },
  compare_audio_one: { en: 'input {n}', zh: '输入 {n}' },
  compare_no_audio: { en: 'input {n} ({path}) has no audio: it is silent in the output', zh: '输入 {n}（{path}）没有音频：输出中该路为静音' },
} as const;
