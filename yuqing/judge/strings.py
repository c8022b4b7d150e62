"""UI strings of the taxonomy page and model-made categories (merged into yuqing/web/i18n.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "items.category_model": "模型判断 {score}",
        "nav.taxonomy": "分类与风险词",
        "taxonomy.title": "分类与风险词",
        "taxonomy.intro": "每条信息按包含关键词最多的分类归类，包含风险词即打上风险标记（供预案定级使用）。关键词用顿号、逗号或换行分隔；保存后对新入库的信息生效。",
        "taxonomy.categories": "分类",
        "taxonomy.flags": "风险标记",
        "taxonomy.name": "名称",
        "taxonomy.terms": "关键词",
        "taxonomy.new": "新分类",
        "taxonomy.other": "不含任何分类关键词的信息归为「其他」；清空名称和关键词即删除该分类。",
        "taxonomy.saved": "已保存，新入库的信息按新的分类表归类。",
    },
    "en": {
        "items.category_model": "by the model, {score}",
        "nav.taxonomy": "Categories & risk terms",
        "taxonomy.title": "Categories and risk terms",
        "taxonomy.intro": "An item takes the category whose terms it contains most, and every risk flag whose terms it contains (the plan's grading reads the flags). Separate terms with 、, commas or new lines; new items are tagged with what is saved.",
        "taxonomy.categories": "Categories",
        "taxonomy.flags": "Risk flags",
        "taxonomy.name": "Name",
        "taxonomy.terms": "Terms",
        "taxonomy.new": "New category",
        "taxonomy.other": "Items with no category term are 其他 (other); empty a name and its terms to remove a category.",
        "taxonomy.saved": "Saved: new items are tagged with this taxonomy.",
    },
}
