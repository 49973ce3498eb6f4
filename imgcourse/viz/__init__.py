"""Figures the notebooks share. Every function draws with matplotlib (seaborn for heat maps)
and returns the figure; call ``plt.show()`` in the notebook. One module per topic; every name
is also here, so ``viz.show_images`` works whichever module holds it.
"""

from imgcourse.viz.architectures import (
    plot_architecture_comparison,
    plot_depth_curves,
)
from imgcourse.viz.convolution import (
    show_convolution_step,
    show_kernels_and_patches,
    show_layer_maps,
    show_panels,
    show_receptive_fields,
    strongest_patches,
)
from imgcourse.viz.core import (
    plot_confusion,
    plot_history,
    show_feature_maps,
    show_filters,
    show_images,
    show_kernel_rows,
)
from imgcourse.viz.data import (
    plot_class_balance,
    plot_seed_comparison,
    show_augmentations,
)
from imgcourse.viz.evaluation import (
    plot_interval_widths,
    plot_reliability,
    plot_roc_pr,
    plot_seed_tradeoff,
)
from imgcourse.viz.explain import (
    plot_randomization,
    show_explanations,
)
from imgcourse.viz.tasks import (
    MASK_COLOURS,
    overlay_mask,
    show_detections,
    show_mask_overlays,
)
from imgcourse.viz.training import (
    plot_best_so_far,
    plot_search_heatmaps,
    plot_seed_curves,
)
from imgcourse.viz.transfer import (
    plot_label_curves,
)

# [11 autoencoders] imports
# [12 gans] imports
# [13 style transfer] imports
# [14 attention] imports
# [15 few-shot] imports

__all__ = [
    # [11 autoencoders] names
    # [12 gans] names
    # [13 style transfer] names
    # [14 attention] names
    # [15 few-shot] names
    "MASK_COLOURS",
    "overlay_mask",
    "plot_architecture_comparison",
    "plot_best_so_far",
    "plot_class_balance",
    "plot_confusion",
    "plot_depth_curves",
    "plot_history",
    "plot_interval_widths",
    "plot_label_curves",
    "plot_randomization",
    "plot_reliability",
    "plot_roc_pr",
    "plot_search_heatmaps",
    "plot_seed_comparison",
    "plot_seed_curves",
    "plot_seed_tradeoff",
    "show_augmentations",
    "show_convolution_step",
    "show_detections",
    "show_explanations",
    "show_feature_maps",
    "show_filters",
    "show_images",
    "show_kernel_rows",
    "show_kernels_and_patches",
    "show_layer_maps",
    "show_mask_overlays",
    "show_panels",
    "show_receptive_fields",
    "strongest_patches",
]
