//! Folding of radical code points to the unified ideographs they stand for.
//!
//! Some producers (Word with SimSun/FangSong subsets in particular) write
//! ToUnicode entries that point at Kangxi radicals (U+2F00..U+2FD5) or CJK
//! Radicals Supplement characters instead of the ordinary ideographs: `⼈`
//! (U+2F08) for `人`, `⼯` (U+2F2F) for `工`. They look identical but compare
//! unequal, so the backend folds them once, here. This is deliberately *not*
//! NFKC: full-width digits and punctuation are left alone (normalization
//! handles them later, with provenance).

/// The unified ideograph for each Kangxi radical U+2F00 + i (214 entries,
/// the Unicode compatibility decompositions).
const KANGXI: [char; 214] = [
    '一', '丨', '丶', '丿', '乙', '亅', '二', '亠', '人', '儿', '入', '八', '冂', '冖', '冫', '几',
    '凵', '刀', '力', '勹', '匕', '匚', '匸', '十', '卜', '卩', '厂', '厶', '又', '口', '囗', '土',
    '士', '夂', '夊', '夕', '大', '女', '子', '宀', '寸', '小', '尢', '尸', '屮', '山', '巛', '工',
    '己', '巾', '干', '幺', '广', '廴', '廾', '弋', '弓', '彐', '彡', '彳', '心', '戈', '戶', '手',
    '支', '攴', '文', '斗', '斤', '方', '无', '日', '曰', '月', '木', '欠', '止', '歹', '殳', '毋',
    '比', '毛', '氏', '气', '水', '火', '爪', '父', '爻', '爿', '片', '牙', '牛', '犬', '玄', '玉',
    '瓜', '瓦', '甘', '生', '用', '田', '疋', '疒', '癶', '白', '皮', '皿', '目', '矛', '矢', '石',
    '示', '禸', '禾', '穴', '立', '竹', '米', '糸', '缶', '网', '羊', '羽', '老', '而', '耒', '耳',
    '聿', '肉', '臣', '自', '至', '臼', '舌', '舛', '舟', '艮', '色', '艸', '虍', '虫', '血', '行',
    '衣', '襾', '見', '角', '言', '谷', '豆', '豕', '豸', '貝', '赤', '走', '足', '身', '車', '辛',
    '辰', '辵', '邑', '酉', '釆', '里', '金', '長', '門', '阜', '隶', '隹', '雨', '靑', '非', '面',
    '革', '韋', '韭', '音', '頁', '風', '飛', '食', '首', '香', '馬', '骨', '高', '髟', '鬥', '鬯',
    '鬲', '鬼', '魚', '鳥', '鹵', '鹿', '麥', '麻', '黃', '黍', '黑', '黹', '黽', '鼎', '鼓', '鼠',
    '鼻', '齊', '齒', '龍', '龜', '龠',
];

/// CJK Radicals Supplement characters that are the shape of a whole
/// ideograph (simplified forms mostly) and are seen standing for it.
/// Component-only radicals (⻏, ⻖, ⺮, ...) are left alone.
const SUPPLEMENT: &[(char, char)] = &[
    ('\u{2E9F}', '母'),
    ('\u{2EA0}', '民'),
    ('\u{2EA9}', '王'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED8}', '青'),
    ('\u{2EDD}', '食'),
    ('\u{2EE2}', '马'),
    ('\u{2EE3}', '骨'),
    ('\u{2EE4}', '鬼'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEC}', '齐'),
    ('\u{2EEE}', '齿'),
    ('\u{2EF0}', '龙'),
    ('\u{2EF3}', '龟'),
];

/// Folds a Kangxi radical or a whole-ideograph radical supplement character
/// to its unified ideograph; any other char is returned unchanged.
#[inline]
pub fn fold_radical(c: char) -> char {
    let cp = c as u32;
    if (0x2F00..=0x2FD5).contains(&cp) {
        return KANGXI[(cp - 0x2F00) as usize];
    }
    if (0x2E80..=0x2EF3).contains(&cp) {
        for &(from, to) in SUPPLEMENT {
            if from == c {
                return to;
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kangxi_radicals_fold_to_ideographs() {
        assert_eq!(fold_radical('\u{2F08}'), '人');
        assert_eq!(fold_radical('\u{2F2F}'), '工');
        assert_eq!(fold_radical('\u{2FA6}'), '金');
        assert_eq!(fold_radical('\u{2FD5}'), '龠');
        assert_eq!(fold_radical('\u{2ED4}'), '门');
    }

    #[test]
    fn full_width_punctuation_and_ideographic_space_are_not_folded() {
        for c in ['（', '）', '：', '１', '\u{3000}', 'A', '人'] {
            assert_eq!(fold_radical(c), c);
        }
    }
}
